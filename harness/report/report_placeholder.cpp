// Filled by the reports work: JUnit (tinyxml2), summary.txt, index.html, manifest.json, Bugzilla.
