#include "notify/notification_registry.hpp"

#include <gtest/gtest.h>

namespace peerdrop::notify {
namespace {

using Admission = NotificationRegistry::Admission;
using Answer = NotificationRegistry::Answer;

// Shows `key` as Notify request `request`, answered with notification `id`.
void show(NotificationRegistry& registry, const std::string& key, std::uint64_t request, std::uint32_t id) {
  ASSERT_EQ(registry.admit(key), Admission::admitted);
  registry.requested(key, request);
  const auto shown = registry.shown(request, id);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->key, key);
  EXPECT_FALSE(shown->close_now);
}

TEST(NotificationRegistry, AcceptAndDeclineAnswerTheirOffer) {
  NotificationRegistry registry(16);
  show(registry, "offer-a", 10, 7);
  show(registry, "offer-b", 11, 8);

  const auto accepted = registry.action_invoked(7, "accept");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->key, "offer-a");
  EXPECT_EQ(accepted->answer, Answer::accepted);
  EXPECT_EQ(accepted->id, 7u);
  const auto declined = registry.action_invoked(8, "decline");
  ASSERT_TRUE(declined);
  EXPECT_EQ(declined->key, "offer-b");
  EXPECT_EQ(declined->answer, Answer::declined);

  // Answered once: the server's later NotificationClosed for them says nothing more.
  EXPECT_FALSE(registry.closed(7));
  EXPECT_FALSE(registry.action_invoked(8, "accept"));
  EXPECT_EQ(registry.size(), 0u);
}

TEST(NotificationRegistry, OtherActionsAndOtherApplicationsNotificationsAreIgnored) {
  NotificationRegistry registry(16);
  show(registry, "offer-a", 10, 7);
  EXPECT_FALSE(registry.action_invoked(7, "default"));  // a click on the body is no answer
  EXPECT_FALSE(registry.action_invoked(99, "accept"));  // not ours
  EXPECT_FALSE(registry.closed(99));
  EXPECT_TRUE(registry.contains("offer-a"));
}

TEST(NotificationRegistry, ClosedWithoutAnAnswerIsDismissed) {
  NotificationRegistry registry(16);
  show(registry, "offer-a", 10, 7);
  const auto closed = registry.closed(7);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->key, "offer-a");
  EXPECT_EQ(closed->answer, Answer::dismissed);
  EXPECT_FALSE(registry.contains("offer-a"));
  show(registry, "offer-a", 11, 8);  // the same offer may be shown again
}

TEST(NotificationRegistry, WithdrawGivesTheIdToCloseAndReportsNothingAfter) {
  NotificationRegistry registry(16);
  show(registry, "offer-a", 10, 7);
  EXPECT_EQ(registry.withdraw("offer-a"), 7u);
  EXPECT_FALSE(registry.closed(7));  // our own CloseNotification coming back
  EXPECT_FALSE(registry.withdraw("offer-a"));
  EXPECT_FALSE(registry.withdraw("never-shown"));
}

TEST(NotificationRegistry, WithdrawnWhileBeingShownIsClosedOnceShown) {
  NotificationRegistry registry(16);
  ASSERT_EQ(registry.admit("offer-a"), Admission::admitted);
  registry.requested("offer-a", 10);
  EXPECT_FALSE(registry.withdraw("offer-a"));  // no id yet
  const auto shown = registry.shown(10, 7);
  ASSERT_TRUE(shown);
  EXPECT_TRUE(shown->close_now);
  EXPECT_FALSE(registry.contains("offer-a"));
  EXPECT_FALSE(registry.action_invoked(7, "accept"));  // withdrawn: no answer from it any more
}

TEST(NotificationRegistry, ARefusedNotifyIsForgotten) {
  NotificationRegistry registry(16);
  ASSERT_EQ(registry.admit("offer-a"), Admission::admitted);
  registry.requested("offer-a", 10);
  EXPECT_EQ(registry.failed(10), "offer-a");
  EXPECT_FALSE(registry.contains("offer-a"));
  EXPECT_FALSE(registry.failed(10));
  EXPECT_FALSE(registry.shown(10, 7));  // an unknown request
}

TEST(NotificationRegistry, HoldsAtMostItsCapacityCountingCallsUnderWay) {
  NotificationRegistry registry(3);
  show(registry, "a", 1, 101);
  show(registry, "b", 2, 102);
  ASSERT_EQ(registry.admit("c"), Admission::admitted);
  registry.requested("c", 3);  // not answered yet, but it takes a place
  EXPECT_EQ(registry.admit("d"), Admission::full);
  EXPECT_EQ(registry.admit("a"), Admission::already_shown);
  EXPECT_EQ(registry.admit("c"), Admission::already_shown);

  ASSERT_TRUE(registry.closed(101));
  EXPECT_EQ(registry.admit("d"), Admission::admitted);
}

TEST(NotificationRegistry, ClearForgetsAllAndNamesWhatIsOnTheDesktop) {
  NotificationRegistry registry(16);
  show(registry, "a", 1, 101);
  show(registry, "b", 2, 102);
  registry.requested("c", 3);
  EXPECT_EQ(registry.clear(), (std::vector<std::uint32_t>{101, 102}));
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_FALSE(registry.shown(3, 103));
  EXPECT_FALSE(registry.closed(101));
}

}  // namespace
}  // namespace peerdrop::notify
