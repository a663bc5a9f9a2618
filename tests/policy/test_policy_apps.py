"""Start-up loads every pack, so a malformed one stops the process instead of a later review."""

import pytest

import skillbridge.policy
from skillbridge.policy import loader
from skillbridge.policy.apps import PolicyConfig
from skillbridge.policy.errors import PackError


def test_ready_loads_shipped_packs():
    PolicyConfig("skillbridge.policy", skillbridge.policy).ready()


def test_ready_fails_on_a_bad_pack(tmp_path, monkeypatch):
    (tmp_path / "broken.toml").write_text('code = "broken"\n', encoding="utf-8")
    monkeypatch.setattr(loader, "PACK_DIR", tmp_path)
    with pytest.raises(PackError) as caught:
        PolicyConfig("skillbridge.policy", skillbridge.policy).ready()
    assert str(caught.value).startswith("政策包文件 broken.toml 有误：\n  - name：缺少必填项")
