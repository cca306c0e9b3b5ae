"""The app tidies the data directory after a kill as the CLI does, but after its first paint."""

from __future__ import annotations

import os
import time


async def test_the_app_recovers_the_data_dir_before_it_opens_a_database(make_app, tui_paths, settle):
    staging = tui_paths.root / ".backup-killed"
    staging.mkdir()
    (staging / "audits.db").write_bytes(b"half a copy")
    old = time.time() - 2 * 3600  # older than any q1audit still running could have left it
    os.utime(staging, (old, old))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not staging.exists()
