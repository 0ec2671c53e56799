from django.urls import URLPattern, path

from sanhao.ballots import views, views_paper

app_name = "ballots"
S = "years/<int:pk>/ballots/<int:session_pk>/"
urlpatterns: list[URLPattern] = [
    path("years/<int:pk>/ballots/", views.session_list, name="list"),
    path("years/<int:pk>/ballots/new/", views.session_create, name="create"),
    path(S, views.session_detail, name="detail"),
    path(S + "codes/", views.issue_codes, name="issue"),
    path(S + "batches/<int:batch_pk>/slips/", views.download_slips, name="slips"),
    path(S + "batches/<int:batch_pk>/withdraw/", views.withdraw_batch, name="withdraw"),
    path(S + "open/", views.open_session, name="open"),
    path(S + "close/", views.close_session, name="close"),
    path(S + "turnout/", views.turnout_screen, name="turnout"),
    # The voters' pages: no account, no code in any address.
    path("vote/", views.vote, name="vote"),
    path("vote/<int:session_pk>/", views.vote, name="vote_session"),
    path("vote/ballot/", views.submit, name="submit"),
    path("vote/receipt/", views.receipt, name="receipt"),
    # Paper ballots (views_paper.py)
    path(S + "paper/print/", views_paper.print_forms, name="paper_print"),
    path(S + "paper/runs/<int:run_pk>/pdf/", views_paper.reprint_forms, name="paper_reprint"),
    path(S + "paper/entry/", views_paper.key_entry, name="paper_entry"),
    path(S + "paper/reconcile/", views_paper.reconcile, name="paper_reconcile"),
]
