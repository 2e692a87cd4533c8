DROP TABLE report_reporters;
