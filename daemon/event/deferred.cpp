#include "event/deferred.hpp"

#include "event/loop.hpp"

namespace netcook::event {

void Deferred::schedule() noexcept {
  loop_.defer(*this);
}

void Deferred::cancel() noexcept {
  if (!scheduled()) return;
  prev->next = next;
  next->prev = prev;
  prev = next = nullptr;
}

}  // namespace netcook::event
