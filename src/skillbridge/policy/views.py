from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from skillbridge.errors import NotFound

from .errors import UnknownPack
from .selectors import list_packs, pack_summary


@login_required
def pack_list(request):
    return render(request, "policy/pack_list.html", {"packs": list_packs(), "page_title": "政策参数"})


@login_required
def pack_detail(request, code: str):
    try:
        pack = pack_summary(code)
    except UnknownPack as exc:
        raise NotFound(str(exc)) from None
    return render(request, "policy/pack_detail.html", {"pack": pack, "page_title": pack["name"]})
