from typing import Any

from ninja import Router

from skillbridge.errors import NotFound

from .errors import UnknownPack
from .selectors import list_packs, pack_summary

router = Router(tags=["政策包"])


@router.get("/packs", response=list[dict[str, Any]], summary="政策包列表")
def packs(request):
    return list_packs()


@router.get("/packs/{code}", response=dict[str, Any], summary="政策包全部参数及其出处")
def pack(request, code: str):
    try:
        return pack_summary(code)
    except UnknownPack as exc:
        raise NotFound(str(exc)) from None
