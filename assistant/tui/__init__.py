"""The Textual app: chat, clause browser, interview, findings and export in one terminal."""
