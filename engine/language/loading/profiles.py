"""The municipal profiles in gemeenten/: each read by engine.language.profiles, then the statistics per municipality.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from engine.errors import Span
from engine.language.framework import (
    INTEGRAAL,
    Profile,
)
from engine.language.profiles import load_profile
from engine.paths import display_path

from .common import PROFILES_DIR


class ProfilesSection:
    def profile_names(self) -> tuple[str, ...]:
        """The municipalities, one per profile file in gemeenten/: a fourth joins by adding its profile."""
        folder = self.root / PROFILES_DIR
        if not folder.is_dir():
            return ()
        return tuple(sorted(path.stem for path in folder.glob("*.yaml")))

    def load_profiles(self) -> dict[str, Profile]:
        folder = self.root / PROFILES_DIR
        profiles: dict[str, Profile] = {}
        if not folder.is_dir():
            self.sink.error("E070", "map gemeenten/ met de gemeenteprofielen ontbreekt", Span(display_path(folder), 1, 1))
            return profiles
        if self.refused(folder, folder=True):
            return profiles
        for path in sorted(folder.glob("*.yaml")):
            document = self.read(path, PROFILES_DIR)
            if document is None:
                continue
            profile = load_profile(self, path.stem, document)
            if profile is not None:
                profiles[profile.gemeente] = profile
        return profiles

    def compute_stats(self, profiles: dict[str, Profile]) -> dict[str, dict[str, int]]:
        result = {}
        for name in list(self.kader.domains) + ["kader", INTEGRAAL]:
            counts = self.stats.get(name, {})
            result[name] = {what: counts.get(what, 0) for what in
                            ("rules", "provisions", "parameters", "facts", "derived", "entitlements")}
        result["gemeenten"] = {
            gemeente: {"overrides": len(p.overrides), "provisions": len(p.provisions), "minima_schemes": len(p.entitlements)}
            for gemeente, p in sorted(profiles.items())
        }
        return result
