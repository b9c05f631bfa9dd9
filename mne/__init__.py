"""The domain of the urban M&E dashboard: importable and testable without Streamlit."""
