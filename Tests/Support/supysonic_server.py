#!/usr/bin/env python3
"""A real Subsonic server (Supysonic) on loopback, with a small generated music library.

Used by Tonearm's tests (see README.md beside this file). It

1. generates a tagged music library: short, valid MP3 files (silent MPEG-1 Layer III
   frames) with ID3v2 title/artist/album/album artist/track/disc/year/genre tags,
   MusicBrainz ids, embedded cover art (album 2) or a folder `cover.jpg` (album 1);
2. sets up Supysonic's config and SQLite database in a data folder, creates the users
   and scans the library;
3. serves the Subsonic API on 127.0.0.1 (a free port unless --port is given) and prints
   one JSON line when ready: {"url", "port", "data", "users", "admin", "tracks"}; then
   runs until it is killed (SIGTERM/SIGINT) or the process that started it exits.

Run it with the Python of a venv made from Tests/requirements.txt. Started again with
the same --data folder, it reuses library and database (same track ids), which tests use
to take the server down and bring it back on the same port.
"""

import argparse
import datetime
import io
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time

ALBUMS = [
    {
        "album": "Loopback Sessions",
        "albumartist": "The Loopback Band",
        "year": 2024,
        "genre": "Rock",
        "cover": "folder",
        "color": (200, 40, 40),
        "mb_albumid": "6b1d3c1e-7e2a-4f0b-9a51-1a2b3c4d5e01",
        "mb_releasegroupid": "7c2e4d2f-8f3b-4a1c-8b62-2b3c4d5e6f02",
        "mb_albumartistid": "8d3f5e30-903c-4b2d-9c73-3c4d5e6f7003",
        "tracks": [
            {
                "title": "Port Zero",
                "artist": "The Loopback Band",
                "mb_trackid": "11111111-1111-4111-8111-111111111101",
                "mb_releasetrackid": "21111111-1111-4111-8111-111111111101",
                "mb_artistid": "8d3f5e30-903c-4b2d-9c73-3c4d5e6f7003",
            },
            {
                "title": "127 Reasons",
                "artist": "The Loopback Band",
                "mb_trackid": "11111111-1111-4111-8111-111111111102",
                "mb_releasetrackid": "21111111-1111-4111-8111-111111111102",
                "mb_artistid": "8d3f5e30-903c-4b2d-9c73-3c4d5e6f7003",
            },
        ],
    },
    {
        "album": "Second Spin",
        "albumartist": "Ada & The Lovelaces",
        "year": 2025,
        "genre": "Electronic",
        "cover": "embedded",
        "color": (40, 90, 200),
        "mb_albumid": "9e405f41-a14d-4c3e-8d84-4d5e6f708104",
        "mb_releasegroupid": "af516052-b25e-4d4f-9e95-5e6f70819205",
        "mb_albumartistid": "b0627163-c36f-4e50-afa6-6f708192a306",
        "tracks": [
            {
                "title": "Analytical Engine",
                "artist": "Ada & The Lovelaces",
                "mb_trackid": "11111111-1111-4111-8111-111111111201",
                "mb_releasetrackid": "21111111-1111-4111-8111-111111111201",
                "mb_artistid": "b0627163-c36f-4e50-afa6-6f708192a306",
            },
            {
                "title": "Note G (feat. Babbage)",
                "artist": "Ada & The Lovelaces feat. Babbage",
                "mb_trackid": "11111111-1111-4111-8111-111111111202",
                "mb_releasetrackid": "21111111-1111-4111-8111-111111111202",
                "mb_artistid": "b0627163-c36f-4e50-afa6-6f708192a306",
            },
        ],
    },
]

# MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, no CRC: 144-byte frames of 1152 samples.
_FRAME_HEADER = bytes([0xFF, 0xFB, 0x18, 0xC0])
_FRAME_BYTES = 144
_FRAME_SECONDS = 1152 / 32000


def silent_mp3(seconds):
    """Valid MP3 audio of the given length: frames whose side info and data are zero."""
    frames = max(1, math.ceil(seconds / _FRAME_SECONDS))
    frame = _FRAME_HEADER + bytes(_FRAME_BYTES - len(_FRAME_HEADER))
    return frame * frames


def cover_jpeg(color, label):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 300), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 260, 260), outline=(255, 255, 255), width=6)
    draw.text((60, 140), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def write_library(root, track_seconds):
    from mutagen.id3 import APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK, TXXX, UFID

    for album in ALBUMS:
        folder = os.path.join(root, album["albumartist"], album["album"])
        os.makedirs(folder, exist_ok=True)
        cover = cover_jpeg(album["color"], album["album"])
        if album["cover"] == "folder":
            with open(os.path.join(folder, "cover.jpg"), "wb") as f:
                f.write(cover)
        count = len(album["tracks"])
        for number, track in enumerate(album["tracks"], start=1):
            path = os.path.join(folder, "%02d - %s.mp3" % (number, track["title"]))
            with open(path, "wb") as f:
                f.write(silent_mp3(track_seconds))
            tags = ID3()
            tags.add(TIT2(encoding=3, text=track["title"]))
            tags.add(TPE1(encoding=3, text=track["artist"]))
            tags.add(TALB(encoding=3, text=album["album"]))
            tags.add(TPE2(encoding=3, text=album["albumartist"]))
            tags.add(TRCK(encoding=3, text="%d/%d" % (number, count)))
            tags.add(TPOS(encoding=3, text="1/1"))
            tags.add(TDRC(encoding=3, text=str(album["year"])))
            tags.add(TCON(encoding=3, text=album["genre"]))
            tags.add(UFID(owner="http://musicbrainz.org", data=track["mb_trackid"].encode()))
            for desc, value in (
                ("MusicBrainz Album Id", album["mb_albumid"]),
                ("MusicBrainz Release Group Id", album["mb_releasegroupid"]),
                ("MusicBrainz Album Artist Id", album["mb_albumartistid"]),
                ("MusicBrainz Artist Id", track["mb_artistid"]),
                ("MusicBrainz Release Track Id", track["mb_releasetrackid"]),
            ):
                tags.add(TXXX(encoding=3, desc=desc, text=value))
            if album["cover"] == "embedded":
                tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=cover))
            tags.save(path, v2_version=4)


def parse_user(text):
    name, sep, password = text.partition(":")
    if not sep or not name or not password:
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD, got %r" % text)
    return name, password


def make_config(data, listenbrainz_url):
    from supysonic.config import DefaultConfig

    class Config(DefaultConfig):
        BASE = {
            "database_uri": "sqlite:///" + os.path.join(data, "supysonic.db"),
            "scanner_extensions": None,
            "follow_symlinks": False,
        }
        WEBAPP = dict(
            DefaultConfig.WEBAPP,
            cache_dir=os.path.join(data, "cache"),
            mount_webui=False,
            log_level="WARNING",
        )
        DAEMON = dict(DefaultConfig.DAEMON, socket=os.path.join(data, "daemon.sock"), run_watcher=False)
        LASTFM = {"api_key": None, "secret": None}
        # Only used for users with a linked ListenBrainz token; kept on loopback anyway.
        LISTENBRAINZ = {"api_url": listenbrainz_url}

    return Config()


def set_up(data, admin, users, track_seconds):
    """Creates library, users and database in `data` unless it was set up before."""
    from supysonic.db import Folder, init_database, release_database
    from supysonic.managers.folder import FolderManager
    from supysonic.managers.user import UserManager
    from supysonic.scanner import Scanner

    marker = os.path.join(data, "ready")
    if os.path.exists(marker):
        return
    library = os.path.join(data, "library")
    write_library(library, track_seconds)
    init_database("sqlite:///" + os.path.join(data, "supysonic.db"))
    try:
        UserManager.add(admin[0], admin[1], admin=True)
        for name, password in users:
            UserManager.add(name, password)
        FolderManager.add("Music", library)
        scanner = Scanner(force=True)
        scanner.queue_folder("Music")
        scanner.run()
        if Folder.select().where(~Folder.root).count() == 0:
            raise RuntimeError("scan found no albums in %s" % library)
    finally:
        release_database()
    open(marker, "w").close()


def shorten_now_playing_window(seconds):
    """Supysonic lists a user in getNowPlaying for 3 minutes after their last `stream`.
    Tests that check "the stream stopped" shorten that window."""
    from supysonic.api import albums_songs

    real = datetime.timedelta

    def window(**kwargs):
        if kwargs == {"minutes": 3}:
            return real(seconds=seconds)
        return real(**kwargs)

    albums_songs.timedelta = window


def describe_tracks(data):
    from supysonic.db import Track, init_database, release_database

    init_database("sqlite:///" + os.path.join(data, "supysonic.db"))
    try:
        tracks = []
        for t in Track.select().order_by(Track.path):
            tracks.append(
                {
                    "id": str(t.id),
                    "title": t.title,
                    "artist": t.artist.name,
                    "album": t.album.name,
                    "albumArtist": t.album.artist.name,
                    "track": t.number,
                    "disc": t.disc,
                    "duration": t.duration,
                    "hasEmbeddedArt": bool(t.has_art),
                    "path": t.path,
                }
            )
        return tracks
    finally:
        release_database()


def exit_with_parent():
    """Ends this process when the one that started it goes away (a test run that crashed
    or was killed), so no server is left behind."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (default: a new temporary folder)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--admin", type=parse_user, default=("admin", "admin-pass"), metavar="NAME:PASSWORD")
    parser.add_argument(
        "--user",
        type=parse_user,
        action="append",
        metavar="NAME:PASSWORD",
        help="a normal user (repeatable; default alice:alice-pass)",
    )
    parser.add_argument("--track-seconds", type=float, default=30.0, help="length of each generated track")
    parser.add_argument(
        "--now-playing-seconds",
        type=float,
        default=180.0,
        help="how long after its last stream a user stays in getNowPlaying (Supysonic: 180)",
    )
    parser.add_argument("--listenbrainz-url", default="http://127.0.0.1:9", help="Supysonic's ListenBrainz API URL")
    args = parser.parse_args()

    users = args.user or [("alice", "alice-pass")]
    data = os.path.abspath(args.data or tempfile.mkdtemp(prefix="tonearm-supysonic-"))
    os.makedirs(data, exist_ok=True)

    set_up(data, args.admin, users, args.track_seconds)
    tracks = describe_tracks(data)
    if args.now_playing_seconds != 180.0:
        shorten_now_playing_window(args.now_playing_seconds)

    from supysonic.web import create_application
    from werkzeug.serving import make_server

    app = create_application(make_config(data, args.listenbrainz_url))
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    port = server.socket.getsockname()[1]

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    exit_with_parent()

    ready = {
        "url": "http://127.0.0.1:%d" % port,
        "port": port,
        "data": data,
        "users": {name: password for name, password in [args.admin] + users},
        "admin": args.admin[0],
        "tracks": tracks,
    }
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
