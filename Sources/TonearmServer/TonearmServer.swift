/// The `tonearm serve` daemon.
public enum TonearmServer {}
