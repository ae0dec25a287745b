/** Name of the Action state that carries the run's record of components from main to post. */
export const STATE_FILE = "loadgate-state-file";
