// FunctionRef<R(Args...)>: a non-owning reference to a callable, for
// parameters that are called during the call and never stored (C++26 brings
// std::function_ref). Kernels hand their loop bodies to parallel_for on
// every compute, and a std::function made from a lambda with more than two
// captures allocates on the heap each time; a FunctionRef never does.
//
//   void for_each_row(int64_t rows, FunctionRef<void(int64_t)> body);
//   for_each_row(n, [&](int64_t r) { out[r] = in[r] * scale; });
//
// The callable must outlive the FunctionRef: pass lambdas as arguments, do
// not keep a FunctionRef to a temporary in a variable.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace parallax {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> && std::is_invocable_r_v<R, F&, Args...>)
      FunctionRef(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): stands in for a callable
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace parallax
