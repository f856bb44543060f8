#pragma once
// Tasks (the io.modelcontextprotocol/tasks extension, 2026-07-28 era): a tools/call answered at
// once with a task handle, its work run later on a worker, its state read back with tasks/get.
//
// TaskStore holds every task and owns the worker threads that run them. A task is created
// durably (tasks/get finds it) before create() returns. Its id is 128 random bits from the
// system's entropy source, so it cannot be guessed; it is also bound to an owner key (the
// caller's identity, empty on a single-user server), and a task asked for by another owner is
// "not found", exactly like an unknown one.
//
// Lifecycle: working -> (input_required <-> working)* -> completed | failed | cancelled.
//   completed: the work returned a result (a tool result with isError included);
//   failed:    the work returned a JSON-RPC error, or threw (-32603);
//   cancelled: tasks/cancel came before the work ended (a task that never started never runs).
// Terminal states never change. A finished task stays readable for `keep_finished` after it
// ends; the ttlMs it reports is counted from creation, so it grows while the task runs and is
// fixed when it ends (createdAt + ttlMs = end + keep_finished), as the extension allows.
//
// Bounds: at most `max_tasks` tasks are held (queued, running or finished and not yet expired)
// and about `max_bytes` of their results, inputs and per-item outcomes; create() refuses a new
// task with a clear error (rpc::kServerBusy) when either is reached. `workers` tasks run at once;
// more wait in order, reported as working ("queued").
//
// Input while a task runs (tasks/update): the work calls TaskControl::ask(), which lists the
// requests under fresh keys (never reused within the task), sets input_required, and waits
// until every one is answered through update(), the task is cancelled, or input_timeout passes.
// An answer for a key that is not outstanding is ignored (the extension's rule).
//
// Fleet mode (TaskOptions::mirror): the store publishes each task's DetailedTask (as tasks/get
// shows it) when it is created, starts, asks for input, is answered, is cancelled or ends, and its
// progress at most once per poll_interval; a tasks/get for a task this store does not hold asks
// the mirror, so any instance answers for a task another one runs. tasks/update and tasks/cancel
// need the work itself: for a task another instance runs they get an error naming that instance.
// The mirror is called outside the store's lock; a failed publish never fails the task.
//
// Thread safety: every member of TaskStore and TaskControl is thread-safe. The destructor
// cancels every task, wakes every waiting input, and joins the workers (work must poll its
// cancel token; a Jira call in flight ends within the client's request timeout).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "jira_mcp/core/clock.hpp"
#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/context.hpp"
#include "jira_mcp/mcp/protocol.hpp"
#include "jira_mcp/mcp/session.hpp"

namespace jira_mcp::mcp {

inline constexpr std::string_view kTasksExtension = "io.modelcontextprotocol/tasks";
// Where a task's progress and per-item outcomes appear in tasks/get (the result's _meta).
inline constexpr std::string_view kTaskProgressMeta = "io.github.jira-mcp/progress";

enum class TaskStatus { working, input_required, completed, failed, cancelled };
std::string_view to_string(TaskStatus status);
inline bool terminal(TaskStatus s) {
  return s == TaskStatus::completed || s == TaskStatus::failed || s == TaskStatus::cancelled;
}

// Where tasks are shared with the other instances of a fleet (cluster::TaskBoard behind it).
// Both functions are thread-safe and may block on the network for their timeouts.
struct TaskMirror {
  struct Found {
    std::string instance;  // the instance that runs it
    Json task;             // its last published DetailedTask
  };
  // Stores the snapshot (`version` grows per task; an older one must never replace a newer one)
  // readable for `ttl`. Failures are the mirror's to log.
  std::function<void(const std::string& id, const std::string& owner, std::uint64_t version, const Json& task,
                     std::chrono::milliseconds ttl)>
      publish;
  // A task this store does not hold: nullopt when no instance published it for `owner`; an
  // RpcError when the shared state cannot be read.
  std::function<Result<std::optional<Found>, RpcError>(const std::string& id, const std::string& owner)> lookup;
};

struct TaskOptions {
  std::chrono::milliseconds keep_finished = std::chrono::hours(1);  // [server] task_ttl_seconds
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500);
  std::size_t max_tasks = 1000;
  std::size_t max_bytes = 64u << 20;
  std::size_t workers = 4;
  std::chrono::milliseconds input_timeout = std::chrono::minutes(30);
  std::shared_ptr<const TaskMirror> mirror;  // fleet mode; null: tasks are this process's only
};

class TaskStore;

// The work's view of its own task. Valid while the work runs; thread-safe.
class TaskControl {
 public:
  const std::string& id() const { return id_; }
  bool cancelled() const { return cancel_->cancelled(); }
  const CancelTokenPtr& cancel_token() const { return cancel_; }

  // Shown by tasks/get: statusMessage, and _meta[kTaskProgressMeta] {progress, total?}.
  void progress(double done, std::optional<double> total, std::string message);
  // One settled item (bulk work), appended to _meta[kTaskProgressMeta].items in tasks/get.
  void add_outcome(Json item);
  // Asks the client: each request is {method, params} (elicitation/create, ...). Blocks until
  // all are answered (the answers in order), the task is cancelled, the store stops, or the
  // input timeout passes (then every answer is an error saying which).
  std::vector<Result<Json, RpcError>> ask(std::vector<Json> requests);

 private:
  friend class TaskStore;
  TaskControl(TaskStore& store, std::string id, CancelTokenPtr cancel)
      : store_(store), id_(std::move(id)), cancel_(std::move(cancel)) {}
  TaskStore& store_;
  std::string id_;
  CancelTokenPtr cancel_;
};

// What the request that created a task brought, so its work runs as that request would have:
// its RequestMeta (protocol version, client capabilities and info, log level, trace context),
// and a wrapper that reinstates per-call state on the worker thread (the caller's identity)
// around the work. `owner` binds the task.
struct TaskOrigin {
  std::string owner;  // the caller's identity key (Credentials::key); empty: single-user
  RequestMeta meta;
  // Who started the task: its work runs with these credentials. No sink: the request that
  // started it has been answered, so its progress goes to tasks/get instead.
  Inbound inbound;
  std::function<void(const std::function<void()>&)> run_as;  // none: run directly
};

// The work of a task: a result (what the request would have answered) or a JSON-RPC error. It
// runs on a TaskStore worker with a RequestContext of its own whose task() is set.
using TaskWork = std::function<Result<Json, RpcError>(RequestContext& ctx)>;

class TaskStore {
 public:
  explicit TaskStore(TaskOptions options = {}, std::shared_ptr<Clock> clock = real_clock());
  ~TaskStore();
  TaskStore(const TaskStore&) = delete;
  TaskStore& operator=(const TaskStore&) = delete;

  // Creates and queues a task; returns its Task object (taskId, status, createdAt,
  // lastUpdatedAt, ttlMs, pollIntervalMs). Refused with rpc::kServerBusy when full.
  Result<Json, RpcError> create(TaskOrigin origin, TaskWork work);
  // The DetailedTask for tasks/get; unknown, expired or another owner's: -32602.
  Result<Json, RpcError> get(std::string_view id, std::string_view owner);
  // tasks/update: `responses` must be an object; answers to keys not outstanding are ignored.
  Result<Json, RpcError> update(std::string_view id, std::string_view owner, const Json& responses);
  // tasks/cancel: an ack; a task not started is cancelled at once and never runs; a running one
  // is asked to stop (its cancel token) and ends cancelled; a finished one is left as it is.
  Result<Json, RpcError> cancel(std::string_view id, std::string_view owner);

  struct Stats {
    std::size_t held = 0, queued = 0, running = 0, finished = 0, bytes = 0;
    std::uint64_t created = 0, refused = 0, expired = 0;
  };
  Stats stats() const;
  const TaskOptions& options() const { return options_; }

 private:
  friend class TaskControl;
  struct Task;
  using TaskPtr = std::shared_ptr<Task>;

  void work_loop(std::stop_token stop);
  void run(const TaskPtr& task);
  struct Snapshot {
    std::string id, owner;
    std::uint64_t version = 0;
    Json task;
    std::chrono::milliseconds ttl{0};
  };
  // What to publish for `t` now (nothing without a mirror); publish() sends it, outside mu_.
  std::optional<Snapshot> snapshot_locked(Task& t);
  void publish(const std::optional<Snapshot>& snapshot) const;
  // tasks/get, tasks/update, tasks/cancel of a task not held here: what the mirror knows.
  Result<Json, RpcError> not_here(std::string_view id, std::string_view owner, std::string_view method) const;
  void finish_locked(Task& t, TaskStatus status, std::optional<Json> result, std::optional<Json> error,
                     std::string message);
  void purge_locked();
  TaskPtr find_locked(std::string_view id, std::string_view owner);
  Json describe_locked(const Task& t, bool detailed) const;
  void touch_locked(Task& t);
  void account_locked(Task& t, std::size_t more);
  std::string new_id();

  const TaskOptions options_;
  const std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  std::condition_variable_any work_cv_;  // a task queued, or stopping
  std::condition_variable input_cv_;     // an answer arrived, a task cancelled, or stopping
  std::map<std::string, TaskPtr, std::less<>> tasks_;
  std::deque<TaskPtr> queue_;
  std::size_t running_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t created_ = 0, refused_ = 0, expired_ = 0;
  bool stopping_ = false;
  std::vector<std::jthread> workers_;  // last: joined first, while the state above is alive
};

}  // namespace jira_mcp::mcp
