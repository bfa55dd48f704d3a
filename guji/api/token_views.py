"""The API tokens page: a user issues, sees and revokes their own tokens; the centre
administrator sees every user's active tokens and revokes any of them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guji.api.models import ApiToken
from guji.api.tokens import issue_token, may_manage_all_tokens, revoke_token

HISTORY_ROWS = 50


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the token for?"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. provincial platform")}),
    )


def _context(request: HttpRequest, **extra) -> dict:
    user = request.user
    manage_all = may_manage_all_tokens(user)
    mine = ApiToken.objects.filter(user=user).select_related("created_by", "revoked_by")
    history = ApiToken.history.select_related("history_user", "user")
    if not manage_all:
        history = history.filter(user=user)
    others = None
    if manage_all:
        others = ApiToken.objects.active().exclude(user=user).select_related("user", "created_by")
    return {
        "tokens": mine,
        "others": others,
        "history": history.order_by("-history_date", "-history_id")[:HISTORY_ROWS],
        "form": TokenForm(),
        **extra,
    }


def token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "guji_api/token_list.html", _context(request))


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = issue_token(request.user, name=form.cleaned_data["name"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown once, on this response only: the key is stored nowhere but as a hash.
            return render(
                request, "guji_api/token_list.html", _context(request, new_token=token, key=key)
            )
    return render(request, "guji_api/token_list.html", _context(request, form=form), status=400)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    tokens = ApiToken.objects.all()
    if not may_manage_all_tokens(request.user):
        tokens = tokens.filter(user=request.user)  # another user's token: 404, not 403
    token = get_object_or_404(tokens, pk=pk)
    try:
        revoke_token(token, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("guji_api:token_list")
