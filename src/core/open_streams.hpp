#pragma once

#include <memory>
#include <set>
#include <utility>

namespace peerdrop::core {

// The streams (sockets, beast::tcp_stream) a component has open, so that
// its stop() can close every one: their pending operations then end with
// operation_aborted, and the coroutines waiting on them return, instead of
// keeping the event loop busy until a timeout. Each coroutine registers its
// stream for as long as it lives (track); a stream opened after close_all()
// is closed at once. The registry is shared with the registrations, so a
// coroutine frame destroyed after its owner still unregisters safely.
template <typename Stream>
class OpenStreams {
  struct State {
    std::set<Stream*> streams;
    bool closed = false;
  };

 public:
  class Registration {
   public:
    Registration(std::shared_ptr<State> state, Stream& stream) : state_(std::move(state)), stream_(&stream) {
      if (state_->closed) {
        stream.close();
      } else {
        state_->streams.insert(stream_);
      }
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { state_->streams.erase(stream_); }

   private:
    std::shared_ptr<State> state_;
    Stream* stream_;
  };

  [[nodiscard]] Registration track(Stream& stream) { return Registration(state_, stream); }

  void close_all() {
    state_->closed = true;
    const auto streams = state_->streams;  // close() may run a handler that unregisters
    for (auto* stream : streams) stream->close();
  }
  bool closed() const { return state_->closed; }
  std::size_t size() const { return state_->streams.size(); }

 private:
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace peerdrop::core
