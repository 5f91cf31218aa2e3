import { e2eSuite } from "./suite.js";

e2eSuite("postgres", 1);
