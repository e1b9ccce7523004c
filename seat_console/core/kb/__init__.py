"""Knowledge base (知识库) and convenience-service directory (便民服务信息库)."""
