"""Plugin modules the hook and CLI tests load with ``--plugin plugins_for_tests.NAME``.

The tests put ``tests/`` on ``PYTHONPATH`` for their subprocesses (pytest already has it
on ``sys.path``), so nothing here is installed.
"""
