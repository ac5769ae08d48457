//! Every time window the cause rules use, with the systemd behaviour that
//! justifies it.

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
/// How long a shutdown may take between logind's announcement and the
/// shutdown target being reached.
pub(super) const SHUTDOWN_WINDOW_USEC: u64 = 300_000_000;
/// How far back a trigger line (traffic, timer, automount) may be.
pub(super) const TRIGGER_WINDOW_USEC: u64 = 2_000_000;
/// How far back a sudo `systemctl start` may be.
pub(super) const SUDO_WINDOW_USEC: u64 = 60_000_000;
/// How soon after "Triggering OnFailure=" its handler's start must be logged.
pub(super) const HANDLER_WINDOW_USEC: u64 = 5_000_000;
