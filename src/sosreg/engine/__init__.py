"""The engine: registers plug into it, it knows nothing register-specific.

======================  ===================================================
module                  what it does
======================  ===================================================
``source``              bytes in: encoding detection, physical lines
``spec``                file specs as data, the spec registry
``values``              field value types (year-month, special codes)
``core``                the per-line path: rule context, lexical checks
``fields``              field converters and field checks
``records``             typed attrs records per spec, cattrs converter
``register``            how a register plugs in its rules
``rules``               the rule catalogue (metadata from ``rules.toml``)
``findings``            findings, severities, statuses
``filename``            Filip-style file names
``pipeline``            parse, validate, serialize
``delivery``            cross-file checks of a month's delivery
======================  ===================================================
"""
