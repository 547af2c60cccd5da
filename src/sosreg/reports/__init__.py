"""Renderers of the report model (:mod:`sosreg.engine.report`): one module per format.

Every format is made from the same :class:`~sosreg.engine.report.Report` /
:class:`~sosreg.engine.report.DeliveryReport`; no renderer computes findings of its own.
The tabular formats read :meth:`~sosreg.engine.report.Report.rows` (one
:class:`~sosreg.engine.report.FindingRow` per finding) and share their headings
(:mod:`.labels`). Importing this package registers the renderers with the engine
(:func:`~sosreg.engine.report.register_renderer`); :mod:`sosreg` imports it.

========  ==============================================================
``text``  the feedback as plain text, Swedish or English (:mod:`.text`)
``json``  the versioned JSON report (:mod:`.json_report`)
``csv``   one row per finding, ``;``, UTF-8 with BOM (:mod:`.csv_report`)
``xlsx``  the feedback workbook, XlsxWriter (``sosreg[excel]``) (:mod:`.xlsx_report`)
``html``  one self-contained page; Jupyter's view (:mod:`.html_report`)
========  ==============================================================
"""

from __future__ import annotations

from sosreg.engine.report import register_renderer
from sosreg.reports import csv_report, html_report, json_report, text, xlsx_report

register_renderer("text", text.render)
register_renderer("json", json_report.render)
register_renderer("csv", csv_report.render)
register_renderer("xlsx", xlsx_report.render)
register_renderer("html", html_report.render)

FORMATS = ("text", "json", "csv", "xlsx", "html")
"""The formats ``sosreg validate --format`` knows."""
