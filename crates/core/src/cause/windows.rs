//! Every time window the cause rules and the job-id facts use, with the
//! systemd behaviour that justifies it. Times are the entries' sort keys
//! (monotonic µs within a boot), so a window is a span of the manager's own
//! clock, never of the wall clock that NTP may step.
//!
//! Two kinds of window live here. Dispatch windows are short (tens to
//! hundreds of ms): they bound how far apart the manager logs jobs it runs
//! in the same passes of its event loop, and a wrong one joins unrelated
//! requests. Look-back windows are long (seconds to minutes): they bound how
//! long a job may wait in the queue between the line that asked for it and
//! its start line; the rules take the latest line in them and check that no
//! earlier start answered it, so a generous one costs little.

/// Within this much of a transaction's first logged start, a start at info
/// level counts as dispatched with it (jobs of one transaction that wait for
/// nothing run in the same pass of the manager's loop, milliseconds apart).
pub(super) const SAME_DISPATCH_USEC: u64 = 150_000;
/// When job ids already place a start in a transaction, time only has to
/// tell which transaction: the jobs of one transaction are installed at once
/// and run in the passes of the manager's loop right after, in run-queue
/// order, so a member may even be logged before its anchor's first line (by
/// 173 ms on an emulated VM under load, the most seen). Half a second covers
/// that with room, and stays below the time a request from outside takes to
/// follow the one before it through logind or a login (740 ms seen for
/// user@.service after a sudo start), whose first job also follows a block.
pub(super) const LINKED_DISPATCH_USEC: u64 = 500_000;
/// On a loaded machine the manager's loop falls behind, and the members of
/// one transaction are dispatched further apart (0.8 s seen on systemd 257
/// beside a load generator). The members are installed at one instant and
/// each is dispatched within the loop's latency after it, so two of them
/// are at most that latency apart. The run measures its own latency on the
/// restart jobs it logs: "Scheduled restart job" is logged as the job is
/// installed (the old run is already gone), its run's first start line when
/// it is dispatched. When ids prove the link, the window is that latency
/// with this margin (×1.5: the slowest restart seen need not be the slowest
/// dispatch), never below [`LINKED_DISPATCH_USEC`] …
pub(super) const DISPATCH_LATENCY_MARGIN: (u64, u64) = (3, 2);
/// … and never above this: past it, a request from outside that followed
/// the transaction (740 ms after a sudo start on an idle machine) would be
/// taken for a member even with ids that leave it room.
pub(super) const LINKED_DISPATCH_CAP_USEC: u64 = 2_000_000;
/// A unit ordered after another starts this soon after it finished starting
/// (the run queue is dispatched in the same loop iteration; 60 ms was the
/// slowest seen, on an emulated VM).
pub(super) const ORDERING_USEC: u64 = 80_000;
/// How long a shutdown may take between logind's announcement (or the
/// manager's "Activating special unit") and the shutdown target being
/// reached: the target's start line is logged only once every unit it
/// conflicts with has stopped, each stop allowed DefaultTimeoutStopSec=
/// (90 s) and running side by side; five minutes covers several slow stops
/// in a row.
pub(super) const SHUTDOWN_WINDOW_USEC: u64 = 300_000_000;
/// How far back a trigger line ("Incoming traffic", "Timer elapsed", "Got
/// triggered", an automount request, "upheld by") may be: the manager logs
/// it in the same dispatch that enqueues the start job, so the start line
/// follows within the loop's latency (0.8 s the most seen under load).
pub(super) const TRIGGER_WINDOW_USEC: u64 = 2_000_000;
/// How far back a sudo `systemctl start` may be: sudo logs the command as
/// it runs it, and the start line follows when the job is dispatched, which
/// waits for every unit it is ordered after (a slow dependency can take
/// tens of seconds).
pub(super) const SUDO_WINDOW_USEC: u64 = 60_000_000;
/// How soon after "Triggering OnFailure=" its handler's start must be
/// logged: the line is written as the handler's job is enqueued, and the
/// job then waits only for what the handler is ordered after.
pub(super) const HANDLER_WINDOW_USEC: u64 = 5_000_000;
/// How soon after "Triggering OnFailure=" a "Failed to enqueue" line means
/// that trigger made no job: both come from the one call that enqueues the
/// handler, so they are logged microseconds apart; a second is room for a
/// loaded journald.
pub(super) const TRIGGER_FAILED_USEC: u64 = 1_000_000;
/// How far back the "Trying to enqueue" line of a job asked for over D-Bus
/// may be: it is logged when the call arrives, the start line when the job
/// is dispatched, which waits for the units it is ordered after.
pub(super) const ENQUEUE_LOOK_BACK_USEC: u64 = 30_000_000;
/// How far before "Trying to enqueue" the D-Bus call that asked for it may
/// be: the manager logs the call and then handles it in the same dispatch.
pub(super) const BUS_CALL_USEC: u64 = 1_000_000;
/// How long after "Startup finished" a job may first be logged and still
/// belong to the boot transaction: the default target's job completing ends
/// startup, but members the target is not ordered after are still being
/// dispatched in the loop passes right after.
pub(super) const AFTER_STARTUP_USEC: u64 = 1_000_000;
/// How long after a transaction's latest member a stop job in its id range
/// may first be logged and still belong to it: the stop jobs a transaction
/// makes (Conflicts=) are installed with it and run at once, so a later one
/// was a request of its own and marks a boundary.
pub(super) const CONFLICT_STOP_USEC: u64 = 1_000_000;
/// How far before logind's shutdown announcement a member of the shutdown
/// transaction may be logged: logind writes the line and the manager starts
/// the transaction, two processes whose lines journald may receive in either
/// order.
pub(super) const SHUTDOWN_ANNOUNCE_SLACK_USEC: u64 = 1_000_000;
/// How far before the boot transaction's "Queued start job" line a start
/// read from the kernel log (before journald ran, so without a job id) may
/// be and still belong to it: those lines and the manager's own reach the
/// journal by different routes, each stamped on its way.
pub(super) const KERNEL_LOG_SLACK_USEC: u64 = 1_000_000;

/// Job ids, not time: a start more than this many ids past a transaction's
/// highest member is not looked at as a member. A transaction takes one id
/// per unit in its dependency closure (58 for a plain service on a minimal
/// Debian, a few hundred at boot), so no real one spans this many.
pub(super) const MEMBER_ID_REACH: u32 = 2_000;
