/// Where Tonearm's playback events come from.
public enum Feeds {}
