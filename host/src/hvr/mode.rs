/// The AgentPlugin modes a target location receives. Others (capture, refresh read) are not
/// ours: the binary exits 2 for them, as HVR asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    RefreshBegin,
    RefreshEnd,
    IntegrateBegin,
    IntegrateEnd,
}

impl Mode {
    pub fn parse(arg: &str) -> Option<Mode> {
        match arg {
            "refr_write_begin" => Some(Mode::RefreshBegin),
            "refr_write_end" => Some(Mode::RefreshEnd),
            "integ_begin" => Some(Mode::IntegrateBegin),
            "integ_end" => Some(Mode::IntegrateEnd),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::RefreshBegin => "refr_write_begin",
            Mode::RefreshEnd => "refr_write_end",
            Mode::IntegrateBegin => "integ_begin",
            Mode::IntegrateEnd => "integ_end",
        }
    }

    /// Whether this call loads files (the `*_end` calls).
    pub fn loads_files(self) -> bool {
        matches!(self, Mode::RefreshEnd | Mode::IntegrateEnd)
    }
}
