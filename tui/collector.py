"""Python's cyclic garbage collector, off while acmedash loads. Loading Textual and the
dashboard set off about 130 collections before the first paint, a full one among them: 75-90 ms
of an 80x24 first paint of about 430 ms (measured with gc.callbacks, 2026-11-28). Nothing
loaded then is garbage, so nothing is lost by not looking. The console script (tui/launch.py)
pauses it; it resumes once a headless command is known, or after the dashboard's first paint."""

import gc


def pause() -> None:
    gc.disable()


def resume() -> None:
    """Back on, with what start-up made frozen out of every later collection (it stays for
    the whole run): a full collection then walks only what the work itself makes. A no-op
    where it was never paused (tests, `tui.cli.run` called as a library)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
