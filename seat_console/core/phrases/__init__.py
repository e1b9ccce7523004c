"""Standard service phrases (服务用语) and, later, the forbidden-phrase checker (服务禁语)."""
