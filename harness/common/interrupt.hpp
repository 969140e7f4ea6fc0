// SIGINT/SIGTERM become an `Interrupted` exception at the next blocking point, so that
// destructors (containers, temp dirs, keys) run instead of the process dying mid-way.
#pragma once

namespace harness {

void install_interrupt_handlers();
// The signal that arrived (0 if none).
int pending_interrupt();
// A file descriptor that becomes readable once a signal arrived (for poll()).
int interrupt_fd();
// Throws Interrupted when a signal arrived.
void throw_if_interrupted();

}  // namespace harness
