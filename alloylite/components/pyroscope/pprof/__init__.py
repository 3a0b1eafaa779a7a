"""A small hand-written pprof (profile.proto) codec: what the scrape delta needs, no
protobuf dependency at run time."""
