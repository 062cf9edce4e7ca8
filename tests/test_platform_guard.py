"""``platform/`` is a plain folder: ``import platform`` must stay the standard library's."""

import platform
import sysconfig
from pathlib import Path


def test_platform_is_the_standard_library_module():
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib


def test_platform_folder_has_no_init():
    root = Path(__file__).resolve().parent.parent
    assert (root / "platform" / "teleservices").is_dir()
    assert not (root / "platform" / "__init__.py").exists()
