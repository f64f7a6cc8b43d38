"""The LTI 1.3 Advantage protocol, free of Flask and SQLAlchemy: keys, login, launch, deep linking, AGS, NRPS,
dynamic registration, and the Canvas and Common Cartridge configuration documents."""
