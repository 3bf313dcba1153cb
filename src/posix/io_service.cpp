#include "posix/io_service.hpp"

#include <pthread.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <thread>

namespace proctest::detail {
namespace {

thread_local bool t_on_io_thread = false;

struct IoService {
  boost::asio::io_context context{1};
  boost::asio::executor_work_guard<Executor> guard{context.get_executor()};

  IoService() {
    // Block all signals before creating the thread so it inherits the mask
    // from its very first instruction, then restore ours.
    sigset_t all;
    sigset_t old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    std::thread thread([this] {
      t_on_io_thread = true;
      for (;;) {
        try {
          context.run();
          return;
        } catch (...) {
          // A handler must never throw; if one does, keep serving the others.
        }
      }
    });
    pthread_setname_np(thread.native_handle(), "proctest-io");
    thread.detach();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
};

// Intentionally leaked: processes may be destroyed during static destruction,
// after a static IoService would be gone.
IoService* g_instance = nullptr;
pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;

// After fork() only the forking thread exists in the child: the loop thread
// is gone and its epoll instance is shared with the parent. The child (a
// GoogleTest death test, say) starts a loop of its own on first use; the
// parent's is abandoned there, never touched.
void before_fork() { pthread_mutex_lock(&g_mutex); }
void after_fork_in_parent() { pthread_mutex_unlock(&g_mutex); }
void after_fork_in_child() {
  g_instance = nullptr;
  pthread_mutex_unlock(&g_mutex);
}

IoService& service() {
  static const bool registered =
      (pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child), true);
  (void)registered;
  pthread_mutex_lock(&g_mutex);
  if (!g_instance) g_instance = new IoService();
  IoService* instance = g_instance;
  pthread_mutex_unlock(&g_mutex);
  return *instance;
}

}  // namespace

Executor io_executor() { return service().context.get_executor(); }

bool on_io_thread() noexcept { return t_on_io_thread; }

}  // namespace proctest::detail
