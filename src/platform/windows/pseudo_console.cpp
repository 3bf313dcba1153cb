#include "platform/windows/pseudo_console.hpp"

#include <cstdio>
#include <utility>

#include "platform/windows/error_text.hpp"
#include "platform/windows/inheritance.hpp"
#include "platform/windows/pipe.hpp"
#include "proctest/errors.hpp"

namespace proctest::detail::windows {

namespace {

using CreateFn = HRESULT(WINAPI*)(COORD, HANDLE, HANDLE, DWORD, HPCON*);
using ResizeFn = HRESULT(WINAPI*)(HPCON, COORD);
using CloseFn = void(WINAPI*)(HPCON);

// Looked up at run time: the program still starts on a Windows without ConPTY.
template <typename Fn>
Fn kernel32(const char* name) {
  HMODULE module = ::GetModuleHandleW(L"kernel32.dll");
  return module == nullptr
             ? nullptr
             : reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(module, name)));
}

}  // namespace

bool pseudo_console_available() { return kernel32<CreateFn>("CreatePseudoConsole") != nullptr; }

PseudoConsole PseudoConsole::create(short columns, short rows) {
  auto create_fn = kernel32<CreateFn>("CreatePseudoConsole");
  if (create_fn == nullptr) {
    throw ProcessError(
        "cannot create a pseudo console: this Windows has no ConPTY "
        "(Windows 10 1809 or later needed)");
  }
  // Declared first: Wine's conhost.exe inherits every inheritable handle.
  NoInheritance conhost_inherits_nothing_of_ours;
  PipeEnds in = create_pipe(PipeDirection::to_child);
  PipeEnds out = create_pipe(PipeDirection::from_child);
  PseudoConsole pc;
  HRESULT hr = create_fn(COORD{columns, rows}, in.child.get(), out.child.get(), 0, &pc.console_);
  if (FAILED(hr)) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%08lX", static_cast<unsigned long>(hr));
    throw ProcessError(std::string("cannot create a pseudo console: HRESULT ") + code + ": " +
                       error_text(static_cast<DWORD>(HRESULT_CODE(hr))));
  }
  // The console holds its own duplicates of the child ends.
  pc.input_ = std::move(in.parent);
  pc.output_ = std::move(out.parent);
  return pc;
}

PseudoConsole::PseudoConsole(PseudoConsole&& other) noexcept
    : console_(std::exchange(other.console_, nullptr)),
      input_(std::move(other.input_)),
      output_(std::move(other.output_)) {}

PseudoConsole& PseudoConsole::operator=(PseudoConsole&& other) noexcept {
  if (this != &other) {
    close();
    console_ = std::exchange(other.console_, nullptr);
    input_ = std::move(other.input_);
    output_ = std::move(other.output_);
  }
  return *this;
}

HRESULT PseudoConsole::resize(short columns, short rows) noexcept {
  auto resize_fn = kernel32<ResizeFn>("ResizePseudoConsole");
  if (resize_fn == nullptr || console_ == nullptr) return E_NOTIMPL;
  return resize_fn(console_, COORD{columns, rows});
}

void PseudoConsole::close() noexcept {
  if (console_ == nullptr) return;
  if (auto close_fn = kernel32<CloseFn>("ClosePseudoConsole")) close_fn(console_);
  console_ = nullptr;
}

}  // namespace proctest::detail::windows
