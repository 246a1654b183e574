from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


unit_tasks = assigned = assign = scoreboard = register_export = plan = detail = split = task_file = act = (
    _todo
)
