// The task store. One mutex guards every task's state; it is held only to read or change that
// state, never while work runs or a caller waits for input (the condition variables release it).
// Expired tasks are purged lazily: a get() of an expired task forgets it, and create() sweeps
// all of them before it checks the bounds, so no timer thread is needed.
#include "jira_mcp/mcp/tasks.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <system_error>
#include <random>


namespace jira_mcp::mcp {

namespace {

// Task sessions have no connection: whatever a task's work sends as a notification is dropped
// (the extension supports neither notifications/progress nor notifications/message on tasks;
// progress is read through tasks/get instead).
class NullPeer final : public Peer {
 public:
  void send(const Json&) override {}
};

NullPeer& null_peer() {
  static NullPeer peer;
  return peer;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::int64_t to_ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

RpcError not_found(std::string_view id, std::chrono::milliseconds keep) {
  return RpcError{rpc::kInvalidParams,
                  "Failed to retrieve task: no task " + std::string(id) +
                      " (unknown, or expired: finished tasks are kept " + std::to_string(keep.count() / 1000) +
                      " s after they end). Call the tool again to start a new one",
                  {}};
}

constexpr std::size_t kTaskOverheadBytes = 1024;  // the record, its strings and its session

}  // namespace

std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::working: return "working";
    case TaskStatus::input_required: return "input_required";
    case TaskStatus::completed: return "completed";
    case TaskStatus::failed: return "failed";
    case TaskStatus::cancelled: return "cancelled";
  }
  return "working";
}

struct TaskStore::Task {
  std::string id;
  TaskOrigin origin;
  TaskWork work;
  CancelTokenPtr cancel = std::make_shared<CancelToken>();
  TaskStatus status = TaskStatus::working;
  bool started = false;
  std::string message = "queued: waiting for a worker";
  Clock::time_point created, ended;
  std::chrono::system_clock::time_point created_wall, updated_wall;
  std::optional<Json> result, error;
  std::optional<Json> outcome;  // what cancelled work returned after all (its per-item report)
  std::optional<double> progress, total;
  Json items = Json::array();
  std::map<std::string, Json> outstanding;  // inputRequests not yet answered, by key
  std::map<std::string, Json> answers;      // answers not yet taken by the waiting work
  std::uint64_t next_key = 1;
  std::size_t bytes = 0;
  std::uint64_t version = 0;          // of the last snapshot published (fleet mode)
  Clock::time_point published{};      // when it was published
};

TaskStore::TaskStore(TaskOptions options, std::shared_ptr<Clock> clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
  // Workers start on demand, in create(): a server that runs no task starts no thread
  // (start-up time, issue #16).
  workers_.reserve(std::max<std::size_t>(1, options_.workers));
}

TaskStore::~TaskStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, t] : tasks_) t->cancel->cancel();
  }
  input_cv_.notify_all();
  // Each jthread asks its loop to stop (which wakes work_cv_) and is joined here, while the
  // state the loops use is still alive.
  workers_.clear();
}

std::string TaskStore::new_id() {
  std::random_device rd("/dev/urandom");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (int i = 0; i < 4; ++i) {
    std::uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) id.push_back(kHex[v & 0xF]);
  }
  return id;
}

Result<Json, RpcError> TaskStore::create(TaskOrigin origin, TaskWork work) {
  std::string id = new_id();
  std::unique_lock lock(mu_);
  if (stopping_) return unexpected(RpcError{rpc::kServerBusy, "The server is stopping; no new tasks are accepted", {}});
  purge_locked();
  const bool full = tasks_.size() >= options_.max_tasks;
  if (full || bytes_ >= options_.max_bytes) {
    ++refused_;
    // The soonest a finished task expires frees room; with none finished, the running ones must end first.
    std::optional<Clock::time_point> soonest;
    for (const auto& [tid, t] : tasks_) {
      if (!terminal(t->status)) continue;
      const auto at = t->ended + options_.keep_finished;
      if (!soonest || at < *soonest) soonest = at;
    }
    std::string what = full ? std::to_string(tasks_.size()) + " tasks are held (the limit is " +
                                  std::to_string(options_.max_tasks) + ")"
                            : "the tasks held use " + std::to_string(bytes_ >> 10) + " KiB (the limit is " +
                                  std::to_string(options_.max_bytes >> 10) + " KiB)";
    Json data{{"maxTasks", options_.max_tasks}, {"heldTasks", tasks_.size()}};
    std::string when = "when a running task ends";
    if (soonest) {
      const auto wait = std::max<std::int64_t>(0, to_ms(*soonest - clock_->now()));
      data["retryAfterMs"] = wait;
      when = "in about " + std::to_string((wait + 999) / 1000) + " s";
    }
    spdlog::warn("task refused: {}", what);
    return unexpected(RpcError{rpc::kServerBusy,
                               "Cannot start a task now: " + what + "; finished tasks are kept " +
                                   std::to_string(options_.keep_finished.count() / 1000) +
                                   " s after they end. Retry " + when +
                                   ", or call without the tasks capability to run the call directly",
                               std::move(data)});
  }
  // A worker takes a task and counts itself running in one step under mu_, so the free workers
  // are those started and not running.
  if (queue_.size() + 1 > workers_.size() - running_ && workers_.size() < std::max<std::size_t>(1, options_.workers)) {
    try {
      workers_.emplace_back([this](std::stop_token stop) { work_loop(stop); });
    } catch (const std::system_error& e) {
      spdlog::warn("could not start a task worker: {}", e.what());
      if (workers_.empty()) {  // nothing would ever run it
        return unexpected(RpcError{rpc::kServerBusy, "Cannot start a task now: no worker thread could be started; "
                                                     "retry, or call without the tasks capability", {}});
      }
    }
  }
  auto t = std::make_shared<Task>();
  t->id = id;
  t->origin = std::move(origin);
  t->work = std::move(work);
  t->created = clock_->now();
  t->created_wall = t->updated_wall = clock_->wall_now();
  account_locked(*t, kTaskOverheadBytes + t->origin.meta.raw.dump().size());
  tasks_.emplace(id, t);
  queue_.push_back(t);
  ++created_;
  Json out = describe_locked(*t, false);
  auto snapshot = snapshot_locked(*t);
  work_cv_.notify_one();
  lock.unlock();
  publish(snapshot);  // a worker's newer snapshot, if it came first, wins by its version
  return out;
}

void TaskStore::work_loop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, stop, [this] { return !queue_.empty(); });
    if (stop.stop_requested()) return;
    TaskPtr t = std::move(queue_.front());
    queue_.pop_front();
    if (terminal(t->status)) continue;  // cancelled while it waited: it never runs
    t->started = true;
    t->message = "running";
    touch_locked(*t);
    ++running_;
    auto snapshot = snapshot_locked(*t);
    lock.unlock();
    publish(snapshot);
    run(t);
    lock.lock();
    --running_;
  }
}

void TaskStore::run(const TaskPtr& t) {
  Session session(null_peer(), "task:" + t->id);
  RequestContext ctx(session, Json(t->id), t->cancel, std::nullopt, t->origin.meta, t->origin.inbound);
  TaskControl control(*this, t->id, t->cancel);
  ctx.attach_task(&control);
  Result<Json, RpcError> out = unexpected(RpcError{rpc::kInternalError, "the task did not run", {}});
  auto body = [&] {
    try {
      out = t->work(ctx);
    } catch (const std::exception& e) {
      spdlog::error("task {}: internal error: {}", t->id, e.what());
      out = unexpected(RpcError{rpc::kInternalError, "Internal error while the task ran; the server logged the details", {}});
    } catch (...) {
      spdlog::error("task {}: internal error (a non-standard exception)", t->id);
      out = unexpected(RpcError{rpc::kInternalError, "Internal error while the task ran; the server logged the details", {}});
    }
  };
  try {
    if (t->origin.run_as) {
      t->origin.run_as(body);
    } else {
      body();
    }
  } catch (const std::exception& e) {  // run_as itself failed: the work may not have run
    spdlog::error("task {}: could not set up its call: {}", t->id, e.what());
  }
  std::unique_lock lock(mu_);
  TaskWork().swap(t->work);  // free what the work captured (its arguments) now
  if (t->cancel->cancelled()) {
    if (out) t->outcome = std::move(*out);
    finish_locked(*t, TaskStatus::cancelled, std::nullopt, std::nullopt,
                  stopping_ ? "Cancelled: the server stopped while it ran"
                            : "Cancelled while it ran; what it did before it stopped is in _meta");
  } else if (out) {
    const bool is_error = out->is_object() && out->value("isError", false);
    finish_locked(*t, TaskStatus::completed, std::move(*out), std::nullopt,
                  is_error ? "Completed; the result reports an error" : "Completed");
  } else {
    const RpcError& e = out.error();
    Json err{{"code", e.code}, {"message", e.message}};
    if (e.data) err["data"] = *e.data;
    finish_locked(*t, TaskStatus::failed, std::nullopt, std::move(err), "Failed: " + e.message);
  }
  auto snapshot = snapshot_locked(*t);
  lock.unlock();
  publish(snapshot);
}

std::optional<TaskStore::Snapshot> TaskStore::snapshot_locked(Task& t) {
  if (!options_.mirror || !options_.mirror->publish) return std::nullopt;
  t.published = clock_->now();
  // A running task is kept readable as long as it may still be waited on; a finished one as
  // long as this store keeps it.
  const auto ttl = terminal(t.status) ? options_.keep_finished
                                      : options_.keep_finished + options_.input_timeout + std::chrono::hours(1);
  return Snapshot{t.id, t.origin.owner, ++t.version, describe_locked(t, true), ttl};
}

void TaskStore::publish(const std::optional<Snapshot>& s) const {
  if (!s) return;
  try {
    options_.mirror->publish(s->id, s->owner, s->version, s->task, s->ttl);
  } catch (const std::exception& e) {
    spdlog::warn("task {}: could not share its state with the fleet: {}", s->id, e.what());
  }
}

Result<Json, RpcError> TaskStore::not_here(std::string_view id, std::string_view owner, std::string_view method) const {
  if (!options_.mirror || !options_.mirror->lookup) return unexpected(not_found(id, options_.keep_finished));
  auto found = options_.mirror->lookup(std::string(id), std::string(owner));
  if (!found) return unexpected(found.error());
  if (!*found) return unexpected(not_found(id, options_.keep_finished));
  if (method == "tasks/get") return (*found)->task;
  return unexpected(RpcError{rpc::kInvalidParams,
                             std::string(method) + ": task " + std::string(id) + " runs on instance " +
                                 (*found)->instance + ", which alone holds its work; tasks/get works on any instance, "
                                 "but " + std::string(method) + " must reach " + (*found)->instance +
                                 " (route by Mcp-Name: the task id, or retry until the load balancer sends it there)",
                             Json{{"instance", (*found)->instance}}});
}

void TaskStore::finish_locked(Task& t, TaskStatus status, std::optional<Json> result, std::optional<Json> error,
                              std::string message) {
  std::size_t more = 0;
  if (result) more += result->dump().size();
  if (error) more += error->dump().size();
  if (t.outcome) more += t.outcome->dump().size();
  t.status = status;
  t.result = std::move(result);
  t.error = std::move(error);
  t.message = std::move(message);
  t.outstanding.clear();
  t.answers.clear();
  t.ended = clock_->now();
  touch_locked(t);
  account_locked(t, more);
}

void TaskStore::purge_locked() {
  const auto now = clock_->now();
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    const Task& t = *it->second;
    if (terminal(t.status) && now >= t.ended + options_.keep_finished) {
      bytes_ -= std::min(bytes_, t.bytes);
      ++expired_;
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
}

TaskStore::TaskPtr TaskStore::find_locked(std::string_view id, std::string_view owner) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return nullptr;
  Task& t = *it->second;
  if (terminal(t.status) && clock_->now() >= t.ended + options_.keep_finished) {
    bytes_ -= std::min(bytes_, t.bytes);
    ++expired_;
    tasks_.erase(it);
    return nullptr;
  }
  if (t.origin.owner != owner) return nullptr;  // another caller's task does not exist for this one
  return it->second;
}

void TaskStore::touch_locked(Task& t) { t.updated_wall = clock_->wall_now(); }

void TaskStore::account_locked(Task& t, std::size_t more) {
  t.bytes += more;
  bytes_ += more;
}

Json TaskStore::describe_locked(const Task& t, bool detailed) const {
  const auto lived = (terminal(t.status) ? t.ended : clock_->now()) - t.created;
  Json j{{"taskId", t.id},
         {"status", to_string(t.status)},
         {"createdAt", iso8601(t.created_wall)},
         {"lastUpdatedAt", iso8601(t.updated_wall)},
         {"ttlMs", std::max<std::int64_t>(1, to_ms(lived) + options_.keep_finished.count())},
         {"pollIntervalMs", std::max<std::int64_t>(1, options_.poll_interval.count())}};
  if (!t.message.empty()) j["statusMessage"] = t.message;
  if (!detailed) return j;
  if (t.status == TaskStatus::input_required) {
    Json requests = Json::object();
    for (const auto& [key, request] : t.outstanding) requests[key] = request;
    j["inputRequests"] = std::move(requests);
  }
  if (t.result) j["result"] = *t.result;
  if (t.error) j["error"] = *t.error;
  if (t.progress || !t.items.empty() || t.outcome) {
    Json p = Json::object();
    if (t.progress) p["progress"] = *t.progress;
    if (t.total) p["total"] = *t.total;
    if (!t.items.empty()) p["items"] = t.items;
    if (t.outcome) p["outcome"] = *t.outcome;
    j["_meta"] = Json{{std::string(kTaskProgressMeta), std::move(p)}};
  }
  return j;
}

Result<Json, RpcError> TaskStore::get(std::string_view id, std::string_view owner) {
  {
    std::lock_guard lock(mu_);
    if (TaskPtr t = find_locked(id, owner)) return describe_locked(*t, true);
  }
  return not_here(id, owner, "tasks/get");
}

Result<Json, RpcError> TaskStore::update(std::string_view id, std::string_view owner, const Json& responses) {
  if (!responses.is_object()) {
    return unexpected(RpcError{rpc::kInvalidParams,
                               "Invalid params: \"inputResponses\" must be an object keyed by the task's "
                               "inputRequests keys (see tasks/get)",
                               {}});
  }
  std::unique_lock lock(mu_);
  TaskPtr t = find_locked(id, owner);
  if (!t) {
    lock.unlock();
    return not_here(id, owner, "tasks/update");
  }
  for (auto it = responses.begin(); it != responses.end(); ++it) {
    auto pending = t->outstanding.find(it.key());
    if (pending == t->outstanding.end()) continue;  // never issued, already answered, or superseded
    if (!it->is_object()) {
      return unexpected(RpcError{rpc::kInvalidParams,
                                 "Invalid params: inputResponses." + it.key() +
                                     " must be the client's result object for that request (e.g. "
                                     "{\"action\": \"accept\", \"content\": {...}} for an elicitation)",
                                 {}});
    }
  }
  bool answered = false;
  for (auto it = responses.begin(); it != responses.end(); ++it) {
    if (t->outstanding.erase(it.key()) == 0) continue;
    account_locked(*t, it->dump().size());
    t->answers[it.key()] = *it;
    answered = true;
  }
  if (answered) {
    if (t->outstanding.empty() && t->status == TaskStatus::input_required) {
      t->status = TaskStatus::working;
      t->message = "running";
    }
    touch_locked(*t);
    input_cv_.notify_all();
    auto snapshot = snapshot_locked(*t);
    lock.unlock();
    publish(snapshot);
  }
  return Json::object();
}

Result<Json, RpcError> TaskStore::cancel(std::string_view id, std::string_view owner) {
  std::unique_lock lock(mu_);
  TaskPtr t = find_locked(id, owner);
  if (!t) {
    lock.unlock();
    return not_here(id, owner, "tasks/cancel");
  }
  if (terminal(t->status)) return Json::object();
  t->cancel->cancel();
  if (!t->started) {
    finish_locked(*t, TaskStatus::cancelled, std::nullopt, std::nullopt, "Cancelled before it started; nothing ran");
  } else {
    t->message = "cancellation requested; stopping";
    touch_locked(*t);
    input_cv_.notify_all();
  }
  auto snapshot = snapshot_locked(*t);
  lock.unlock();
  publish(snapshot);
  return Json::object();
}

TaskStore::Stats TaskStore::stats() const {
  std::lock_guard lock(mu_);
  Stats s;
  s.held = tasks_.size();
  s.running = running_;
  s.bytes = bytes_;
  s.created = created_;
  s.refused = refused_;
  s.expired = expired_;
  for (const auto& [id, t] : tasks_) {
    if (terminal(t->status)) {
      ++s.finished;
    } else if (!t->started) {
      ++s.queued;
    }
  }
  return s;
}

void TaskControl::progress(double done, std::optional<double> total, std::string message) {
  std::unique_lock lock(store_.mu_);
  auto it = store_.tasks_.find(id_);
  if (it == store_.tasks_.end()) return;
  TaskStore::Task& t = *it->second;
  if (terminal(t.status)) return;
  t.progress = done;
  t.total = total;
  std::string counted = total ? std::to_string(static_cast<long long>(done)) + " of " +
                                    std::to_string(static_cast<long long>(*total))
                              : std::to_string(static_cast<long long>(done));
  if (t.status == TaskStatus::working) t.message = message.empty() ? counted : counted + ": " + message;
  store_.touch_locked(t);
  // Other instances read progress at most as often as clients are told to poll.
  if (store_.clock_->now() - t.published < store_.options_.poll_interval) return;
  auto snapshot = store_.snapshot_locked(t);
  lock.unlock();
  store_.publish(snapshot);
}

void TaskControl::add_outcome(Json item) {
  std::lock_guard lock(store_.mu_);
  auto it = store_.tasks_.find(id_);
  if (it == store_.tasks_.end()) return;
  store_.account_locked(*it->second, item.dump().size());
  it->second->items.push_back(std::move(item));
  store_.touch_locked(*it->second);
}

std::vector<Result<Json, RpcError>> TaskControl::ask(std::vector<Json> requests) {
  const auto fail_all = [&](const std::string& why) {
    std::vector<Result<Json, RpcError>> out;
    for (std::size_t i = 0; i < requests.size(); ++i) out.push_back(unexpected(RpcError{rpc::kRequestTimeout, why, {}}));
    return out;
  };
  std::unique_lock lock(store_.mu_);
  auto found = store_.tasks_.find(id_);
  if (found == store_.tasks_.end()) return fail_all("the task is gone");
  TaskStore::TaskPtr t = found->second;
  std::vector<std::string> keys;
  for (auto& r : requests) {
    const std::string key = "input-" + std::to_string(t->next_key++);
    store_.account_locked(*t, r.dump().size());
    t->outstanding[key] = std::move(r);
    keys.push_back(key);
  }
  t->status = TaskStatus::input_required;
  t->message = "waiting for input: " + std::to_string(t->outstanding.size()) + " request(s) in inputRequests";
  store_.touch_locked(*t);
  if (auto snapshot = store_.snapshot_locked(*t)) {
    lock.unlock();
    store_.publish(snapshot);
    lock.lock();
  }
  const auto all_answered = [&] {
    for (const auto& k : keys) {
      if (!t->answers.count(k)) return false;
    }
    return true;
  };
  const bool done = store_.input_cv_.wait_for(lock, store_.options_.input_timeout, [&] {
    return all_answered() || t->cancel->cancelled() || store_.stopping_;
  });
  std::vector<Result<Json, RpcError>> out;
  std::string why = !done ? "no answer came within " + std::to_string(store_.options_.input_timeout.count() / 1000) + " s"
                          : "the task was cancelled";
  for (const auto& k : keys) {
    auto a = t->answers.find(k);
    if (a != t->answers.end()) {
      out.emplace_back(std::move(a->second));
      t->answers.erase(a);
    } else {
      t->outstanding.erase(k);  // withdrawn: it will never be answered now
      out.push_back(unexpected(RpcError{rpc::kRequestTimeout, why, {}}));
    }
  }
  if (t->outstanding.empty() && t->status == TaskStatus::input_required) {
    t->status = TaskStatus::working;
    t->message = t->cancel->cancelled() ? "cancellation requested; stopping" : "running";
    store_.touch_locked(*t);
  }
  return out;
}

}  // namespace jira_mcp::mcp
