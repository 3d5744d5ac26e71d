"""Charts: each builder takes the table of the analysis it draws and returns a figure (charts, outline, terms, emphasis); fonts finds the CJK font they name."""
