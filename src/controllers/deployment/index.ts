export { DeploymentController, type DeploymentControllerOptions } from './controller.js';
