//! The `MESSAGE_ID`s systemd gives the entries we understand
//! (`src/systemd/sd-messages.h`). Matching on these, not on message text,
//! keeps us independent of language, version and `StatusUnitFormat=`.

pub const UNIT_STARTING: &str = "7d4958e842da4a758f6c1cdc7b36dcc5";
pub const UNIT_STOPPING: &str = "de5b426a63be47a7b6ac3eaac82e2f6f";
pub const UNIT_RELOADING: &str = "d34d037fff1847e6ae669a370e694725";
/// "Started", "Finished", "Reached target", "Listening on" … and condition skips.
pub const UNIT_STARTED: &str = "39f53479d3a045ac8e11786248231fbf";
/// A start job that did not succeed ("Failed to start", "Dependency failed").
pub const UNIT_FAILED: &str = "be02cf6855d2428ba40df7e9d022f03d";
/// "Stopped" for stop jobs *and* restart jobs (`JOB_TYPE=restart`).
pub const UNIT_STOPPED: &str = "9d1aaa27d60140bd96365438aad20286";
pub const UNIT_RELOADED: &str = "7b05ebc668384222baa8881179cfda54";
pub const UNIT_RESTART_SCHEDULED: &str = "5eb03494b6584870a536b337290809b3";
pub const UNIT_RESOURCES: &str = "ae8f7b866b0347b9af31fe1c80b127c0";
pub const UNIT_SUCCESS: &str = "7ad2d189f7e94e70a38c781354912448";
pub const UNIT_FAILURE_RESULT: &str = "d9b373ed55a64feb8242e02dbe79a49c";
pub const UNIT_SKIPPED: &str = "0e4284a0caca4bfc81c0bb6786972673";
pub const UNIT_PROCESS_EXIT: &str = "98e322203f7a4ed290d09fe03c09fe15";
pub const UNIT_OUT_OF_MEMORY: &str = "fe6faa94e7774663a0da52717891d8ef";
pub const UNIT_OOMD_KILL: &str = "d989611b15e44c9dbf31e3c81256e4ed";
pub const SPAWN_FAILED: &str = "641257651c1b4ec9a8624d7a40a9e1e7";
pub const STARTUP_FINISHED: &str = "b07a249cd024414a82dd00cd181378ff";
pub const USER_STARTUP_FINISHED: &str = "eed00a68ffd84e31882105fd973abdd1";
pub const TAINTED: &str = "50876a9db00f4c40bde1a2ad381c3a1b";
pub const TIME_CHANGE: &str = "c7a787079b354eaaa9e77b371893cd27";
pub const TIME_SYNC: &str = "7c8a41f37b764941a0e1780b1be2f037";
pub const TIME_BUMP: &str = "7db73c8af0d94eeb822ae04323fe6ab6";
/// logind: "System is rebooting/powering down…", with `SHUTDOWN=`.
pub const SHUTDOWN: &str = "98268866d1d54a499c4e98921d93bc40";
pub const JOURNAL_START: &str = "f77379a8490b408bbe5f6940505a777b";
pub const JOURNAL_STOP: &str = "d93fb3c9c24d451a97cea615ce59c00b";
pub const JOURNAL_USAGE: &str = "ec387f577b844b8fa948f33cad9a75e6";
pub const JOURNAL_DROPPED: &str = "a596d6fe7bfa4994828e72309e95d61e";
pub const COREDUMP: &str = "fc2e22bc6ee647b6b90729ab34a250b1";
pub const SESSION_START: &str = "8d45620c1a4348dbb17410da57c60c66";
pub const SESSION_STOP: &str = "3354939424b4456d9802ca8333ed424a";
