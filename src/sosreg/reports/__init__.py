"""Renderers of the report model (:mod:`sosreg.engine.report`): one module per format.

Every format is made from the same :class:`~sosreg.engine.report.Report` /
:class:`~sosreg.engine.report.DeliveryReport`; no renderer computes findings of its own.
Importing this package registers the renderers with the engine
(:func:`~sosreg.engine.report.register_renderer`); :mod:`sosreg` imports it.

========  ==============================================================
``text``  the feedback as plain text, Swedish or English (:mod:`.text`)
``json``  the versioned JSON report (:mod:`.json_report`)
========  ==============================================================
"""

from __future__ import annotations

from sosreg.engine.report import register_renderer
from sosreg.reports import json_report, text

register_renderer("text", text.render)
register_renderer("json", json_report.render)
