// isomorphic-git behind a module of ours: the bundled CLI runs in a vm.Script,
// where only imports of its own (bundled) modules may be dynamic.
import git from 'isomorphic-git';

export default git;
