"""Operations of the AI register, one module per subject; each checks its permission once."""
