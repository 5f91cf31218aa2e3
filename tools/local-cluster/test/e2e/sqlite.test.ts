import { e2eSuite } from "./suite.js";

e2eSuite("sqlite", 3);
