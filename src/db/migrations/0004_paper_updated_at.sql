-- The paper broker's books keep updated_at like every other table.
CREATE TRIGGER paper_accounts_updated_at BEFORE UPDATE ON paper_accounts
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER paper_orders_updated_at BEFORE UPDATE ON paper_orders
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER paper_positions_updated_at BEFORE UPDATE ON paper_positions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
