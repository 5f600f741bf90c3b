"""An operator's workspace: `aidctl.toml`, `inbox/`, `outbox/`, `archive/` and a log.

The config names the register, the parameter file and the language; paths in it are
relative to the config's folder, so a workspace can be moved as a whole.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from aidctl.errors import InputError

CONFIG_NAME = "aidctl.toml"
ENV_VAR = "AIDCTL_CONFIG"

TEMPLATE = """\
# aidctl workspace. Paths are relative to this file.
# The register holds id numbers: keep this folder readable by its owner only.
register = "register.sqlite3"
# A parameter file of the association's own; empty = the one shipped with aidctl.
policy = ""
# Language of reports and messages: "zh" or "en".
lang = "zh"
# How long a second `aidctl batch run` waits for the first to finish, in seconds.
lock_wait_seconds = 60
"""

_KEYS = {"register": str, "policy": str, "lang": str, "lock_wait_seconds": int}


@dataclass(frozen=True)
class Workspace:
    root: Path
    register: str | Path  # a file beside the config, or a postgresql:// URL
    policy: Path | None
    lang: str
    lock_wait_seconds: int

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def rejected(self) -> Path:
        return self.root / "inbox" / "rejected"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def log_file(self) -> Path:
        return self.root / "aidctl.log"

    @property
    def lock_file(self) -> Path:
        return self.root / ".aidctl.lock"


def init_workspace(root: Path) -> Path:
    """Create the folders and a config (an existing config is kept as it is)."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
    os.chmod(root, 0o700)
    for sub in ("inbox", "outbox", "archive"):
        (root / sub).mkdir(exist_ok=True, mode=0o700)
    config = root / CONFIG_NAME
    if not config.exists():
        config.write_text(TEMPLATE, encoding="utf-8")
        os.chmod(config, 0o600)
    return config


def find_config(explicit: Path | None = None) -> Path | None:
    """`--config`, else `$AIDCTL_CONFIG`, else `./aidctl.toml` when there is one."""
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    here = Path.cwd() / CONFIG_NAME
    return here if here.exists() else None


def load_workspace(config: Path) -> Workspace:
    try:
        raw = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"No workspace config at {config}.", f"工作区配置 {config} 不存在。"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Workspace config {config} is not valid TOML: {exc}.",
            f"工作区配置 {config} 不是有效的 TOML：{exc}。",
        ) from exc
    for key, value in raw.items():
        if key not in _KEYS or not isinstance(value, _KEYS[key]):
            raise InputError(
                f"Workspace config {config}: unknown key or wrong type: {key}.",
                f"工作区配置 {config}：未知的键或类型错误：{key}。",
            )
    root = config.resolve().parent
    lang = str(raw.get("lang", "zh"))
    if lang not in ("zh", "en"):
        raise InputError(
            f"Workspace config {config}: lang must be zh or en.",
            f"工作区配置 {config}：lang 只能是 zh 或 en。",
        )
    policy = str(raw.get("policy", "")) or None
    return Workspace(
        root=root,
        register=_register_location(root, str(raw.get("register", "register.sqlite3"))),
        policy=(root / policy) if policy else None,
        lang=lang,
        lock_wait_seconds=int(raw.get("lock_wait_seconds", 60)),
    )


def _register_location(root: Path, value: str) -> str | Path:
    """A database URL stays as written; a file path is relative to the config's folder."""
    return value if "://" in value else root / value
