// The whole ARM surface: the shared router with every provider's routes registered on it.
// Entry points (`aksim serve`, `aksim rest`) import handle() from here.
import './aks-routes.js';
import '../aci/routes.js';

export { handle, type ArmRequest, type ArmResponse } from './router.js';
