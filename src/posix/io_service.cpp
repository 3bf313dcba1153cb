#include "posix/io_service.hpp"

#include <pthread.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <thread>

namespace proctest::detail {
namespace {

thread_local bool t_on_io_thread = false;

// Restores the calling thread's signal mask when it goes out of scope, also
// when the thread could not be created.
class MaskAllSignals {
 public:
  MaskAllSignals() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old_);
  }
  ~MaskAllSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  MaskAllSignals(const MaskAllSignals&) = delete;
  MaskAllSignals& operator=(const MaskAllSignals&) = delete;

 private:
  sigset_t old_;
};

struct IoService {
  boost::asio::io_context context{1};
  boost::asio::executor_work_guard<Executor> guard{context.get_executor()};

  IoService() {
    // Asio creates its reactor (epoll, eventfd, timerfd) lazily, with the
    // first descriptor: create it now, so that a shortage of descriptors
    // shows here, at the start of run(), and not halfway through it.
    boost::asio::posix::stream_descriptor reactor_now(context);
    // Block all signals before creating the thread so it inherits the mask
    // from its very first instruction; ours is restored on every path.
    MaskAllSignals masked;
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

class Locked {
 public:
  explicit Locked(pthread_mutex_t& m) : m_(m) { pthread_mutex_lock(&m_); }
  ~Locked() { pthread_mutex_unlock(&m_); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  pthread_mutex_t& m_;
};

IoService& service() {
  static const bool registered =
      (pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child), true);
  (void)registered;
  Locked lock(g_mutex);
  // A failed start (no thread or descriptor to spare) leaves nothing behind:
  // the next call tries again.
  if (!g_instance) g_instance = new IoService();
  return *g_instance;
}

}  // namespace

Executor io_executor() { return service().context.get_executor(); }

bool on_io_thread() noexcept { return t_on_io_thread; }

}  // namespace proctest::detail
