"""Ballots in and out as files: imports read whole and checked before anything is stored
(:mod:`.files`), exports (:mod:`.exports`), the bounds on what a file may be (:mod:`.bounded`)
and the guard against spreadsheet formulas (:mod:`.formulas`)."""
