"""Organisations: ministries, agencies, municipalities, companies, research bodies, NGOs."""
