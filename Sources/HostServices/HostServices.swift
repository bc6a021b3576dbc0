import PluginRuntime

/// Navidrome's host services as implemented by Tonearm, one file per service.
public enum HostServices {}
