// Filled by the starttls work: certificates, client profiles, the SMTP STARTTLS engine.
