/* global process, setInterval, clearInterval */
// Preloaded into the daemon by the notify test (node --import): on SIGUSR2 the event loop is
// blocked for 700 ms of every 800 ms for 4 s, alive between the blocks but far too late.
process.on('SIGUSR2', () => {
  const until = Date.now() + 4000;
  const timer = setInterval(() => {
    const end = Date.now() + 700;
    while (Date.now() < end);
    if (Date.now() > until) clearInterval(timer);
  }, 100);
});
