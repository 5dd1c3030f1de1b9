// lab_nfq_delay: the lab's stand-in for `tc qdisc … netem delay` on kernels
// built without sch_netem (lab/lib/impairment.mjs starts it).
//
// It binds one NFQUEUE of the network namespace it runs in and gives every
// packet queued there the verdict NF_ACCEPT `--delay-ms` after it arrived.
// The delay is constant, so release order is arrival order: a FIFO of
// (packet id, due time), drained by one ppoll loop that sleeps until the
// head is due and then accepts every due packet with one batch verdict
// (the kernel accepts all queued ids up to the given one).
//
//   ip netns exec NS lab_nfq_delay --queue 0 --delay-ms 30 [--limit 10000]
//   iptables -t mangle -A POSTROUTING -o eth0 -j NFQUEUE --queue-num 0
//
// Only metadata is copied to user space (NFQNL_COPY_META), never payload.
// The queue holds at most `--limit` packets (the kernel's queue-maxlen, and
// checked here too); beyond that packets are dropped, like a full qdisc.
// Loss is not done here: iptables' statistic match drops before the queue.
//
// Prints one "ready" line once bound, and on SIGTERM or SIGINT accepts what
// is still queued, unbinds and prints a one-line summary; exit code 0.
// Exit code 1 (with a message on stderr) when it cannot bind or reading fails.

// glibc's <netinet/in.h> (via <arpa/inet.h>) before the kernel's headers, which then skip their copies.
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>  // NF_ACCEPT, NF_DROP

#include <cerrno>
#include <cstddef>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned kDefaultLimit = 10'000;               // packets; netem's default is 1,000
constexpr int kDefaultReceiveBuffer = 16 * 1024 * 1024;  // bytes of netlink messages
constexpr int kMaxReadsPerWakeup = 256;                  // then release what is due, then read on

volatile sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal) { g_stop_signal = signal; }

struct Options {
  unsigned queue = 0;
  unsigned delay_ms = 0;
  unsigned limit = kDefaultLimit;
  int receive_buffer = kDefaultReceiveBuffer;
};

struct Pending {
  std::uint32_t id;
  Clock::time_point due;
};

struct Counters {
  std::uint64_t delayed = 0;         // accepted after the delay
  std::uint64_t released_early = 0;  // accepted at shutdown, before their time
  std::uint64_t dropped_full = 0;    // NF_DROP here: the queue held `limit` packets
  std::uint64_t enobufs = 0;         // receive errors: the kernel could not hand us packets
};

// One line of /proc/net/netfilter/nfnetlink_queue (this namespace's queues).
struct KernelQueueStats {
  bool found = false;
  std::uint64_t dropped_full = 0;  // queue_dropped: queue-maxlen reached
  std::uint64_t dropped_user = 0;  // queue_user_dropped: our socket buffer was full (ENOBUFS)
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "lab_nfq_delay: %s\n"
               "usage: lab_nfq_delay --queue N --delay-ms MS [--limit PACKETS] [--rcvbuf BYTES]\n",
               message);
  std::exit(2);
}

unsigned parse_unsigned(const char* flag, const char* text, unsigned max) {
  char* end = nullptr;
  errno = 0;
  const unsigned long value = std::strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value > max || text[0] == '-') {
    usage((std::string(flag) + " needs a whole number up to " + std::to_string(max) + ", not '" + text + "'").c_str());
  }
  return static_cast<unsigned>(value);
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool have_queue = false;
  bool have_delay = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage((flag + " needs a value").c_str());
    const char* value = argv[++i];
    if (flag == "--queue") {
      options.queue = parse_unsigned("--queue", value, 65535);
      have_queue = true;
    } else if (flag == "--delay-ms") {
      options.delay_ms = parse_unsigned("--delay-ms", value, 60'000);
      have_delay = true;
    } else if (flag == "--limit") {
      options.limit = parse_unsigned("--limit", value, 1'000'000);
      if (options.limit == 0) usage("--limit must be at least 1");
    } else if (flag == "--rcvbuf") {
      options.receive_buffer = static_cast<int>(parse_unsigned("--rcvbuf", value, 1U << 30));
    } else {
      usage(("unknown option " + flag).c_str());
    }
  }
  if (!have_queue || !have_delay) usage("--queue and --delay-ms are required");
  return options;
}

KernelQueueStats read_kernel_stats(unsigned queue) {
  // Columns: queue, peer portid, queue total, copy mode, copy range,
  // queue dropped, user dropped, id sequence, 1.
  KernelQueueStats stats;
  std::ifstream file("/proc/net/netfilter/nfnetlink_queue");
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::uint64_t number = 0, portid = 0, total = 0, mode = 0, range = 0, dropped = 0, user_dropped = 0;
    if (!(fields >> number >> portid >> total >> mode >> range >> dropped >> user_dropped)) continue;
    if (number != queue) continue;
    stats = {true, dropped, user_dropped};
  }
  return stats;
}

// The bound queue: nfq_open + nfq_create_queue, closed in reverse order.
class DelayQueue {
 public:
  explicit DelayQueue(const Options& options) : options_(options) {}
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  ~DelayQueue() {
    if (queue_ != nullptr) nfq_destroy_queue(queue_);
    if (handle_ != nullptr) nfq_close(handle_);
  }

  // Binds the queue; returns an error message or an empty string.
  std::string open() {
    handle_ = nfq_open();
    if (handle_ == nullptr) return std::string("nfq_open: ") + std::strerror(errno);
    queue_ = nfq_create_queue(handle_, static_cast<std::uint16_t>(options_.queue), &DelayQueue::on_packet, this);
    if (queue_ == nullptr) {
      return "cannot bind NFQUEUE " + std::to_string(options_.queue) + " (another program holds it?): " +
             std::strerror(errno);
    }
    if (nfq_set_mode(queue_, NFQNL_COPY_META, 0) < 0) return std::string("nfq_set_mode: ") + std::strerror(errno);
    if (nfq_set_queue_maxlen(queue_, options_.limit) < 0) {
      return std::string("nfq_set_queue_maxlen: ") + std::strerror(errno);
    }
    // GSO packets stay whole (we never look at the payload); older kernels refuse the flag, which is fine.
    nfq_set_queue_flags(queue_, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
    fd_ = nfq_fd(handle_);
    // SO_RCVBUFFORCE (we are root in the namespace) passes net.core.rmem_max.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &options_.receive_buffer, sizeof options_.receive_buffer) < 0 &&
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options_.receive_buffer, sizeof options_.receive_buffer) < 0) {
      return std::string("SO_RCVBUF: ") + std::strerror(errno);
    }
    return {};
  }

  // Runs until SIGTERM/SIGINT (blocked outside ppoll); returns an error message or an empty string.
  std::string run(const sigset_t& wait_mask) {
    alignas(std::max_align_t) char buffer[64 * 1024];
    while (g_stop_signal == 0) {
      timespec timeout{};
      timespec* timeout_ptr = nullptr;
      if (!pending_.empty()) {
        const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(pending_.front().due - Clock::now());
        const long long ns = wait.count() > 0 ? wait.count() : 0;
        timeout = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
        timeout_ptr = &timeout;
      }
      pollfd poll_fd{fd_, POLLIN, 0};
      const int ready = ppoll(&poll_fd, 1, timeout_ptr, &wait_mask);
      if (ready < 0 && errno != EINTR) return std::string("ppoll: ") + std::strerror(errno);
      if (ready > 0) {
        for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
          const ssize_t size = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
          if (size >= 0) {
            nfq_handle_packet(handle_, buffer, static_cast<int>(size));
            continue;
          }
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
          if (errno == ENOBUFS) {  // the kernel dropped packets it could not hand us (counted there too)
            ++counters_.enobufs;
            continue;
          }
          return std::string("recv: ") + std::strerror(errno);
        }
      }
      release(Clock::now());
    }
    return {};
  }

  // Accepts everything still queued (shutdown): nothing is left for the kernel to drop.
  void release_all() {
    counters_.released_early += pending_.size();
    if (!pending_.empty()) nfq_set_verdict_batch(queue_, pending_.back().id, NF_ACCEPT);
    pending_.clear();
  }

  const Counters& counters() const { return counters_; }

 private:
  static int on_packet(nfq_q_handle* queue, nfgenmsg*, nfq_data* data, void* self_ptr) {
    auto* self = static_cast<DelayQueue*>(self_ptr);
    const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
    if (header == nullptr) return 0;
    const std::uint32_t id = ntohl(header->packet_id);
    if (self->pending_.size() >= self->options_.limit) {
      ++self->counters_.dropped_full;
      nfq_set_verdict(queue, id, NF_DROP, 0, nullptr);
      return 0;
    }
    self->pending_.push_back({id, Clock::now() + std::chrono::milliseconds(self->options_.delay_ms)});
    return 0;
  }

  // One batch verdict for every packet that is due (ids rise in arrival order).
  void release(Clock::time_point now) {
    std::size_t due = 0;
    while (due < pending_.size() && pending_[due].due <= now) ++due;
    if (due == 0) return;
    nfq_set_verdict_batch(queue_, pending_[due - 1].id, NF_ACCEPT);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(due));
    counters_.delayed += due;
  }

  Options options_;
  nfq_handle* handle_ = nullptr;
  nfq_q_handle* queue_ = nullptr;
  int fd_ = -1;
  std::deque<Pending> pending_;
  Counters counters_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);

  // SIGTERM and SIGINT are blocked except inside ppoll, so a stop is never missed between checks.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigset_t blocked;
  sigset_t wait_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigprocmask(SIG_BLOCK, &blocked, &wait_mask);
  sigdelset(&wait_mask, SIGTERM);
  sigdelset(&wait_mask, SIGINT);

  DelayQueue queue(options);
  if (const std::string error = queue.open(); !error.empty()) {
    std::fprintf(stderr, "lab_nfq_delay: %s\n", error.c_str());
    return 1;
  }
  std::printf("lab_nfq_delay: ready: queue %u, delay %u ms, limit %u packets\n", options.queue, options.delay_ms,
              options.limit);
  std::fflush(stdout);

  const std::string error = queue.run(wait_mask);
  queue.release_all();
  const KernelQueueStats kernel = read_kernel_stats(options.queue);
  const Counters& counters = queue.counters();
  std::printf(
      "lab_nfq_delay: summary: queue %u delay_ms %u delayed %llu released_early %llu dropped_full %llu "
      "kernel_dropped_full %llu kernel_dropped_enobufs %llu enobufs_errors %llu stop %s\n",
      options.queue, options.delay_ms, static_cast<unsigned long long>(counters.delayed),
      static_cast<unsigned long long>(counters.released_early),
      static_cast<unsigned long long>(counters.dropped_full),
      static_cast<unsigned long long>(kernel.found ? kernel.dropped_full : 0),
      static_cast<unsigned long long>(kernel.found ? kernel.dropped_user : 0),
      static_cast<unsigned long long>(counters.enobufs),
      g_stop_signal == SIGTERM ? "SIGTERM" : g_stop_signal == SIGINT ? "SIGINT" : "error");
  std::fflush(stdout);
  if (!error.empty()) {
    std::fprintf(stderr, "lab_nfq_delay: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
